"""Imports: accounts, contacts, interactions and opportunities from CSV, XLSX and vCard files
(upload → map → dry run → commit → report → undo), for the pages, the API and the CLI.

reading.py turns a file into a header and a stream of rows; mapping.py maps the headers to the
import fields; resolving.py decides each row's outcome against the records the importer may see;
services.py runs the dry run, the commit and the undo; views.py, cli.py and api/imports.py are the
entry points.
"""
