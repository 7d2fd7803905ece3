"""The iApp bundle per peer (template, deploy.tmsh, IMPORT.md, zip) and its offline checks."""
