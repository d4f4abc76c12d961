"""Bulk intake of the spreadsheets offices already keep (R4): read → validate every row → report → write.

`tables` reads a file as rows, `report` holds what the user is told, `residents` validates and imports
residents, `writers` writes validated rows at database speed inside the import's one transaction.
`places` imports addresses, housing and businesses; `jobs` runs an uploaded file through all this as an
import job (ImportJob).
"""
