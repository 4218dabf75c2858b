"""Imports: accounts, contacts, interactions and opportunities from CSV, XLSX and vCard files
(upload → map → dry run → commit → report → undo), for the pages, the API and the CLI.

reading.py turns a file into a header and a stream of rows (vcard.py for vCard files); mapping.py
maps the headers to the import fields; resolving/ decides each row's outcome against the records
the importer may see (a module per kind); services.py holds the upload, the dry run and the
commit, undo.py the undo, runner.py runs a commit or an undo in the request or in the background;
page.py is what the import page shows; views.py, cli.py and api/imports.py are the entry points.
"""
