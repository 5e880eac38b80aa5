"""Reports: what the desk reads, exports and prints (figures, the hazard ledger, documents)."""
