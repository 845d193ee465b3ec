/**
 * Splits a command line into arguments with Redis's quoting rules
 * (sdssplitargs): "double quotes" understand \n \r \t \b \a \\ \" and \xHH,
 * 'single quotes' understand only \', and a closing quote must be followed by
 * a space or the end of the line. Input and output are binary strings.
 *
 * Returns undefined on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    let current = "";
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return undefined;
        const c = line[i];
        if (c === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          const e = line[i];
          current += e === "n"
            ? "\n"
            : e === "r"
            ? "\r"
            : e === "t"
            ? "\t"
            : e === "b"
            ? "\b"
            : e === "a"
            ? "\x07"
            : e;
        } else if (c === '"') {
          // The closing quote must be followed by a space or nothing.
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (i >= n) return undefined;
        const c = line[i];
        if (c === "\\" && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          current += c;
        }
      } else {
        if (i >= n) break;
        const c = line[i];
        if (endsWord(line.charCodeAt(i))) {
          done = true;
        } else if (c === '"') {
          inDouble = true;
        } else if (c === "'") {
          inSingle = true;
        } else {
          current += c;
        }
      }
      if (i < n) i++;
    }
    args.push(current);
  }
}

function isSpace(code: number): boolean {
  // C isspace(): space, \t, \n, \v, \f, \r
  return code === 32 || (code >= 9 && code <= 13);
}

/** Inside an unquoted word only these end it (\v and \f do not, as in sdssplitargs). */
function endsWord(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
