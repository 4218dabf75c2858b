"""Each user's secret calendar feed of their open next steps (`/calendar/<token>.ics`), and a
single next step as an .ics file: iCalendar (RFC 5545) built with the `icalendar` package."""
