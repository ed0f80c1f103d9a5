// Waymark's progressive enhancements. Every page works without this file: it
// starts the NHS.UK design system's components and draws maps.
import { initAll } from './vendor/nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Maps: a div.waymark-map with data-map-markers (JSON: name, lat, lon and
// optionally url) and data-map-tiles (a tile URL template) becomes a Leaflet
// map. The addresses and results are always in the page as text, so the map
// only adds to them; it stays hidden unless it could be drawn. Leaflet is
// loaded only on pages with a map, from beside this file, so its address
// carries the same fingerprint.
const maps = document.querySelectorAll('.waymark-map[data-map-markers][data-map-tiles]')
if (maps.length > 0) {
  const css = document.createElement('link')
  css.rel = 'stylesheet'
  css.href = new URL('./vendor/leaflet/leaflet.css', import.meta.url).href
  document.head.appendChild(css)
  const script = document.createElement('script')
  script.src = new URL('./vendor/leaflet/leaflet.js', import.meta.url).href
  script.onload = () => maps.forEach((el) => {
    if (el.dataset.mapSummary) {
      foldAway(el)
    } else {
      drawMap(el)
    }
  })
  document.head.appendChild(script)
}

// foldAway puts a map in a closed NHS.UK details element, so that it does not
// push the results down, and draws it the first time it is opened.
function foldAway (el) {
  const details = document.createElement('details')
  details.className = 'nhsuk-details waymark-map-details'
  const summary = document.createElement('summary')
  summary.className = 'nhsuk-details__summary'
  const text = document.createElement('span')
  text.className = 'nhsuk-details__summary-text'
  text.textContent = el.dataset.mapSummary
  summary.appendChild(text)
  const body = document.createElement('div')
  body.className = 'nhsuk-details__text'
  details.append(summary, body)
  el.replaceWith(details)
  body.appendChild(el)
  details.addEventListener('toggle', () => {
    if (details.open && !el.classList.contains('waymark-map--ready')) drawMap(el)
  })
}

function drawMap (el) {
  let markers
  try {
    markers = JSON.parse(el.dataset.mapMarkers)
  } catch {
    return
  }
  if (!Array.isArray(markers) || markers.length === 0) return
  const L = window.L
  L.Icon.Default.imagePath = new URL('./vendor/leaflet/images/', import.meta.url).href
  el.setAttribute('role', 'region')
  el.setAttribute('aria-label', el.dataset.mapLabel || 'Map')
  el.classList.add('waymark-map--ready')
  const map = L.map(el, { scrollWheelZoom: false })
  L.tileLayer(el.dataset.mapTiles, {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
  }).addTo(map)
  const points = markers.map((m) => [m.lat, m.lon])
  if (points.length === 1) {
    map.setView(points[0], 14)
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 15 })
  }
  const layer = L.layerGroup().addTo(map)
  const draw = () => drawMarkers(L, map, layer, markers)
  draw()
  map.on('zoomend', draw)
}

// drawMarkers puts one marker on the map for each group of places that would
// otherwise overlap at the current zoom, so every marker is a target of its
// own; a group's popup lists all its services.
function drawMarkers (L, map, layer, markers) {
  layer.clearLayers()
  const groups = []
  for (const m of markers) {
    const at = map.latLngToLayerPoint([m.lat, m.lon])
    const near = groups.find((g) => g.at.distanceTo(at) < 40)
    if (near) {
      near.items.push(m)
    } else {
      groups.push({ at, lat: m.lat, lon: m.lon, items: [m] })
    }
  }
  for (const g of groups) {
    const title = g.items.length === 1
      ? g.items[0].name
      : g.items.length + ' services: ' + g.items.map((m) => m.name).join(', ')
    const marker = L.marker([g.lat, g.lon], { title, alt: title })
    const list = document.createElement('ul')
    list.className = 'nhsuk-list waymark-map-popup'
    for (const m of g.items) {
      const li = document.createElement('li')
      if (m.url) {
        const a = document.createElement('a')
        a.href = m.url
        a.textContent = m.name
        li.appendChild(a)
      } else {
        li.textContent = m.name
      }
      list.appendChild(li)
    }
    marker.bindPopup(list)
    layer.addLayer(marker)
  }
}

// Outcome measures: a div.waymark-chart with data-measures (JSON: label,
// points, dates per series) becomes a Chart.js line chart. The same figures
// are in the table above it, so the chart only adds to them; it stays
// hidden unless it could be drawn. Chart.js is loaded only on such pages.
const charts = document.querySelectorAll('.waymark-chart[data-measures]')
// Insights: a div.waymark-table-chart with data-chart (JSON: kind, stacked,
// labels and series drawn from the table before it; hidden figures are
// null) becomes a bar or line chart.
const tableCharts = document.querySelectorAll('.waymark-table-chart[data-chart]')
if (charts.length > 0 || tableCharts.length > 0) {
  const script = document.createElement('script')
  script.src = new URL('./vendor/chart/chart.umd.min.js', import.meta.url).href
  script.onload = () => {
    charts.forEach(drawChart)
    tableCharts.forEach(drawTableChart)
  }
  document.head.appendChild(script)
}

// NHS palette: blue, dark blue, green, warm yellow, purple, aqua green,
// dark pink, grey.
const palette = ['#005eb8', '#003087', '#009639', '#ffb81c', '#330072', '#00a499', '#7c2855', '#768692']

function drawTableChart (el) {
  let c
  try {
    c = JSON.parse(el.dataset.chart)
  } catch {
    return
  }
  if (!c || !Array.isArray(c.series) || c.series.length === 0 || typeof window.Chart !== 'function') {
    return
  }
  el.hidden = false
  // eslint-disable-next-line no-new
  new window.Chart(el.querySelector('canvas'), {
    type: c.kind === 'line' ? 'line' : 'bar',
    data: {
      labels: c.labels,
      datasets: c.series.map((s, i) => ({ label: s.label, data: s.points, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], tension: 0, spanGaps: false }))
    },
    options: { animation: false, scales: { x: { stacked: !!c.stacked }, y: { stacked: !!c.stacked, beginAtZero: true } } }
  })
}

function drawChart (el) {
  let series
  try {
    series = JSON.parse(el.dataset.measures)
  } catch {
    return
  }
  if (!Array.isArray(series) || series.length === 0 || typeof window.Chart !== 'function') {
    return
  }
  const longest = series.reduce((a, s) => (s.dates.length > a.dates.length ? s : a), series[0])
  el.hidden = false
  // NHS palette: blue, dark blue, green, warm yellow, purple.
  const colours = ['#005eb8', '#003087', '#009639', '#ffb81c', '#330072']
  // eslint-disable-next-line no-new
  new window.Chart(el.querySelector('canvas'), {
    type: 'line',
    data: {
      labels: longest.dates,
      datasets: series.map((s, i) => ({ label: s.label, data: s.points, borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length], tension: 0 }))
    },
    options: { animation: false, scales: { y: { beginAtZero: true } } }
  })
}

// Print buttons: a button[data-print] is shown where JavaScript runs and
// opens the browser's print dialogue; without it the page says how to print.
document.querySelectorAll('button[data-print]').forEach((b) => {
  b.hidden = false
  b.addEventListener('click', () => window.print())
})
