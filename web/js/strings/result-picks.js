// English texts of the results' board picker and select mode (views/result-picks.js), added when it loads.

export default {
  "picks.hint": "Tap images to pick them: compare 2 to 4, export them as a ZIP or add them to a board.",
  "picks.pick": "Pick: {label}",
  "picks.closeBoard": "Close",
};
