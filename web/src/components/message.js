// ElMessage (the toast of a saved form) with its CSS: Element Plus is
// imported on demand (vite.config.js), and a function imported from
// 'element-plus' brings no style of its own. Import ElMessage from here.
import 'element-plus/es/components/message/style/css'
export { ElMessage } from 'element-plus'
