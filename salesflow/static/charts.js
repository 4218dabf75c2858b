/* Draw every .chart from its data-figure (Plotly JSON made by the server). No inline scripts:
   the page's Content-Security-Policy allows scripts from this site only. */
document.querySelectorAll(".chart[data-figure]").forEach(function (element) {
  var figure = JSON.parse(element.dataset.figure);
  Plotly.newPlot(element, figure.data, figure.layout, {displayModeBar: false, responsive: true});
});
