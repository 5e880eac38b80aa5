"""In-app notifications: assigned to you, due tomorrow, overdue, submitted, recheck results, deferrals."""
