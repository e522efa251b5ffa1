// ECharts (local build, tree-shaken) as one lazily loaded module: EChart.vue
// imports it when a chart is first mounted, so a page's text and numbers
// render before the 630 kB of ECharts are fetched and parsed, and a page
// whose charts are not shown (a tab not opened) never loads it (issue #16
// bench/web; docs/WEB.md "Bundle and first load"). vite.config.js puts it
// in the `echarts` chunk.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart, GraphChart, TreemapChart } from 'echarts/charts'
import { TooltipComponent, LegendComponent, GridComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, GraphChart, TreemapChart, TooltipComponent, LegendComponent,
  GridComponent, TitleComponent, CanvasRenderer])

export const init = (el) => echarts.init(el)
