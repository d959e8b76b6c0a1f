/** The back-office page: plain HTML and a little JS over the API (replaced below). */
export const pageHtml = "<!doctype html><title>erpkit</title>"
