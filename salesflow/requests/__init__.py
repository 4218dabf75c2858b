"""Requests between our people (issue 16): a rep asks a colleague for a service, or a director
for a decision, with the lead time the kind needs; the person asked accepts, delivers or
declines; the requester rates what was delivered."""
