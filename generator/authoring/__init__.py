"""The commands that write records for staff: `ssj new` (scaffold), `ssj init` (bureau: a new
bureau's repository) and `ssj example` (synthetic: a jurisdiction at any scale)."""
