/* Draw every .chart from its data-figure (Plotly JSON made by the server), in the page's language:
   month and day names and the number separators of <html lang> (the browser's CLDR data, the
   same Babel formats the page's dates and amounts with), registered as a Plotly locale, since
   the vendored bundle carries English only. No inline scripts: the page's Content-Security-Policy
   allows scripts from this site only. */
(function () {
  var lang = document.documentElement.lang || "en";

  // The week's days from Sunday (2023-01-01 was one), as Plotly lists them, or the year's months.
  function names(options, days) {
    var format = new Intl.DateTimeFormat(lang, Object.assign({timeZone: "UTC"}, options));
    var out = [];
    for (var i = 0; i < (days ? 7 : 12); i++) {
      out.push(format.format(days ? new Date(Date.UTC(2023, 0, 1 + i)) : new Date(Date.UTC(2023, i, 15))));
    }
    return out;
  }

  function separator(type, fallback) {
    var part = new Intl.NumberFormat(lang).formatToParts(12345.6).find(function (p) {
      return p.type === type;
    });
    return part ? part.value : fallback;
  }

  var locale = null;
  if (lang !== "en" && window.Intl && Intl.DateTimeFormat && Intl.NumberFormat) {
    locale = lang.toLowerCase();
    Plotly.register({
      moduleType: "locale",
      name: locale,
      dictionary: {},
      format: {
        days: names({weekday: "long"}, true),
        shortDays: names({weekday: "short"}, true),
        months: names({month: "long"}, false),
        shortMonths: names({month: "short"}, false),
        decimal: separator("decimal", "."),
        thousands: separator("group", ","),
      },
    });
  }

  document.querySelectorAll(".chart[data-figure]").forEach(function (element) {
    var figure = JSON.parse(element.dataset.figure);
    var config = {displayModeBar: false, responsive: true};
    if (locale) {
      config.locale = locale;
    }
    Plotly.newPlot(element, figure.data, figure.layout, config);
  });
})();
