import type { PortType } from '@kiln/engine';

/** One colour per port type, readable on light and dark backgrounds. */
export const PORT_COLORS: Record<PortType | 'order', string> = {
  Dataset: '#2f80ed',
  Model: '#9b51e0',
  Transform: '#f2994a',
  Metrics: '#27ae60',
  Report: '#eb5757',
  Deployment: '#00a3a3',
  Json: '#b08900',
  order: '#8a8f98',
};
