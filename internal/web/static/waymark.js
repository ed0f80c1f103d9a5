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
  const points = []
  for (const m of markers) {
    const marker = L.marker([m.lat, m.lon], { title: m.name, alt: m.name }).addTo(map)
    if (m.url) {
      const a = document.createElement('a')
      a.href = m.url
      a.textContent = m.name
      marker.bindPopup(a)
    } else {
      const p = document.createElement('span')
      p.textContent = m.name
      marker.bindPopup(p)
    }
    points.push([m.lat, m.lon])
  }
  if (points.length === 1) {
    map.setView(points[0], 14)
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 15 })
  }
}
