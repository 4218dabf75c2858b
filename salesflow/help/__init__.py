"""The project's own documentation (docs/*.md), served in the app at /help/<page>."""
