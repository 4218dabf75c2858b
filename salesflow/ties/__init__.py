"""Who knows whom: which of our people took part in interactions with which customer contacts,
counted per day of the company's calendar (models, touches), and the strength of each tie
(strength). Company memory, kept with every interaction; the dependency report, contacts'
decision chains and handovers read it."""
