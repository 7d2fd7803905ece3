"""The iApp bundle per peer (answers, template, deploy.tmsh, IMPORT.md, zip) and its flow."""
