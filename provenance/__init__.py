"""provenance: trace every quotation in an article to its earliest dated source.

The pipeline, one module a stage: normalize → ingest → index → quotes →
retrieve → align → alterations → store; ``trace`` composes them and ``cli``
is a thin command line over the library.
"""
