"""Federation: a higher bureau's view of the ssj sites of the bureaus below it. config and
repository read and make its repository; fetch brings each member's site, by its
data/manifest.json, into a mirror keyed by content (mirror); witness logs when each draw's
commitment was first seen."""
