"""The site's pages by family (Pelican's generator per content type): each module builds one
family's pages, files and feeds from the views that pages.assemble builds once (shared.py)."""
