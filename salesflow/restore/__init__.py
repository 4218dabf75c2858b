"""Deleted contacts and interactions, listed for those who may restore them (scope.can_restore),
as deleted accounts are (/accounts?deleted=1). Restoring is the record's own Restore button."""
