"""Forms in the browser (Decap CMS) over the records: configuration generated from the kinds,
`ssj edit` serving them locally over the working repository, and a forge's editor for `ssj init`.

Nothing here is part of the public site: the editor never reaches `ssj build`'s output.
"""
