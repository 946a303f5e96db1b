// Draws the benchmark charts of the results webview with Chart.js (loaded before this file), from the
// JSON the extension embedded in the page. Colours follow the VS Code theme through its CSS variables;
// an interpreter keeps its colour in every chart.
(function () {
  'use strict';
  const source = document.getElementById('ftaudit-chart-data');
  if (!source || typeof Chart === 'undefined') return;
  const data = JSON.parse(source.textContent || '{}');
  const css = getComputedStyle(document.body);
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const palette = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'].map((v) => color(v, '#888'));
  const foreground = color('--vscode-foreground', '#ccc');
  const grid = color('--vscode-panel-border', 'rgba(128,128,128,.3)');
  Chart.defaults.color = foreground;
  Chart.defaults.borderColor = grid;
  Chart.defaults.font.family = color('--vscode-font-family', 'sans-serif');
  Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  const interpreters = [];
  for (const s of [...(data.race || []), ...(data.scaling || [])]) if (!interpreters.includes(s.interpreter)) interpreters.push(s.interpreter);
  const colourOf = (label) => palette[interpreters.indexOf(label) % palette.length];
  // Past the palette, colours repeat: a dashed line tells those curves apart.
  const dashOf = (label) => (interpreters.indexOf(label) >= palette.length ? [6, 3] : []);

  const scalingCanvas = document.getElementById('chart-scaling');
  if (scalingCanvas && data.scaling && data.scaling.length > 0) {
    const threads = Array.from(new Set(data.scaling.flatMap((s) => s.threads))).sort((a, b) => a - b);
    new Chart(scalingCanvas, {
      type: 'line',
      data: {
        labels: threads,
        datasets: [
          ...data.scaling.map((s) => ({
            label: s.interpreter,
            data: threads.map((n) => { const j = s.threads.indexOf(n); return j >= 0 ? s.speedups[j] : null; }),
            borderColor: colourOf(s.interpreter),
            backgroundColor: colourOf(s.interpreter),
            borderDash: dashOf(s.interpreter),
          })),
          { label: 'ideal', data: threads, borderColor: grid, borderDash: [4, 3], pointRadius: 0 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: 'threads' } }, y: { beginAtZero: true, title: { display: true, text: 'speedup (×)' } } },
      },
    });
  }

  const raceCanvas = document.getElementById('chart-race');
  if (raceCanvas && data.race && data.race.length > 0) {
    // One bar per interpreter: the chart grows with them instead of squeezing the bars.
    raceCanvas.parentElement.style.height = `${Math.max(140, 56 + 28 * data.race.length)}px`;
    new Chart(raceCanvas, {
      type: 'bar',
      data: {
        labels: data.race.map((r) => r.interpreter),
        datasets: [{ label: 'updates lost (%)', data: data.race.map((r) => r.lostPercent), backgroundColor: data.race.map((r) => colourOf(r.interpreter)) }],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: '% of updates lost' } },
          // Long labels ("selected in Python extension") are shortened on the axis; the tooltip has them whole.
          y: { ticks: { callback(value) { const label = this.getLabelForValue(value); return label.length > 20 ? `${label.slice(0, 19)}…` : label; } } },
        },
        plugins: { legend: { display: false } },
      },
    });
  }
})();
