// Draws the benchmark charts of the results webview with Chart.js (loaded before this file), from the
// JSON the extension embedded in the page. Colours follow the VS Code theme through its CSS variables.
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

  const scalingCanvas = document.getElementById('chart-scaling');
  if (scalingCanvas && data.scaling && data.scaling.length > 0) {
    const threads = Array.from(new Set(data.scaling.flatMap((s) => s.threads))).sort((a, b) => a - b);
    new Chart(scalingCanvas, {
      type: 'line',
      data: {
        labels: threads,
        datasets: [
          ...data.scaling.map((s, i) => ({
            label: s.interpreter,
            data: threads.map((n) => { const j = s.threads.indexOf(n); return j >= 0 ? s.speedups[j] : null; }),
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
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
    new Chart(raceCanvas, {
      type: 'bar',
      data: {
        labels: data.race.map((r) => r.interpreter),
        datasets: [{ label: 'updates lost (%)', data: data.race.map((r) => r.lostPercent), backgroundColor: data.race.map((_, i) => palette[i % palette.length]) }],
      },
      options: { indexAxis: 'y', maintainAspectRatio: false, scales: { x: { min: 0, max: 100, title: { display: true, text: '% of updates lost' } } }, plugins: { legend: { display: false } } },
    });
  }
})();
