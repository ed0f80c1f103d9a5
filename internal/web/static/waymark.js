// Waymark's progressive enhancements. Every page works without this file.
import { initAll } from './vendor/nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Maps: a div.waymark-map with data-map-markers (JSON) and data-map-tiles
// (a tile URL template) becomes a Leaflet map. The addresses are always in
// the page as text, so the map only adds to them.
const maps = document.querySelectorAll('.waymark-map[data-map-markers][data-map-tiles]')
if (maps.length > 0) {
  const css = document.createElement('link')
  css.rel = 'stylesheet'
  css.href = '/static/vendor/leaflet/leaflet.css'
  document.head.appendChild(css)
  const script = document.createElement('script')
  script.src = '/static/vendor/leaflet/leaflet.js'
  script.onload = () => maps.forEach(drawMap)
  document.head.appendChild(script)
}

function drawMap (el) {
  let markers
  try {
    markers = JSON.parse(el.dataset.mapMarkers)
  } catch {
    return
  }
  if (!markers || markers.length === 0) return
  const L = window.L
  L.Icon.Default.imagePath = '/static/vendor/leaflet/images/'
  el.classList.add('waymark-map--ready')
  const map = L.map(el, { scrollWheelZoom: false })
  L.tileLayer(el.dataset.mapTiles, {
    maxZoom: 18,
    attribution: '&copy; OpenStreetMap contributors'
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
      marker.bindPopup(document.createTextNode(m.name))
    }
    points.push([m.lat, m.lon])
  }
  if (points.length === 1) {
    map.setView(points[0], 14)
  } else {
    map.fitBounds(points, { padding: [24, 24] })
  }
}
