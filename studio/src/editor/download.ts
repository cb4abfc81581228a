/** Saves `text` as a file through the browser's download. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
