"""The hazard ledger (隐患台账) and its documents: exports, the register of closed hazards, printed files."""
