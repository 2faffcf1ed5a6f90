// Geometry in CSS pixels.
export const AXIS = 64; // left gutter for the time axis
export const LANE = 170; // width of a node's lane (the distance between two node lanes)
export const CLIENT_LANE = 140; // width of a client's lane
export const GROUP_GAP = 24; // space between the nodes' lanes and the clients'
export const TOP = 24; // margin above the first event
export const BOTTOM = 60; // margin below the last event
export const HEAD = 34; // height of the sticky row of node names
export const IDLE_PX = 72; // an idle stretch is drawn at most this tall when squeezing
export const LABEL_MIN_SCALE = 1.2; // px per ms below which arrow labels would only be noise
export const LABEL_AT = 0.62; // labels sit past the middle: the arrows of one broadcast have spread apart there
export const TERM_W = 14; // width of a leader-term stripe
export const TERM_LABEL_EVERY = 420; // px between the repeated ballot labels along a term stripe
