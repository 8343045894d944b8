using System.Globalization;
using System.Text;

namespace Study.Tests.Deployment;

/// <summary>
/// A reader of the YAML that `kustomize build` writes (no YAML package in the project): documents separated by
/// `---`, block mappings and sequences (a sequence may sit at its key's indentation), plain, quoted and folded
/// scalars, `|` and `>` block scalars, and simple flow collections (`{}`, `[a, b]`, `{k: v}`). Maps come back as
/// <see cref="Dictionary{TKey,TValue}"/> of string to object?, sequences as <see cref="List{T}"/> of object?, scalars
/// as strings (numbers and booleans too). Anything else throws <see cref="FormatException"/>, naming the line.
/// </summary>
public sealed class KustomizeYaml
{
    readonly List<string> lines;
    int next;

    KustomizeYaml(IEnumerable<string> lines) => this.lines = [.. lines];

    public static List<Dictionary<string, object?>> Documents(string text)
    {
        var documents = new List<Dictionary<string, object?>>();
        var current = new List<string>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n').Append("---"))
        {
            if (line.TrimEnd() != "---") { current.Add(line); continue; }
            if (current.Any(l => Significant(l))) documents.Add(new KustomizeYaml(current).Document());
            current.Clear();
        }
        return documents;
    }

    Dictionary<string, object?> Document()
    {
        var root = Node(0) as Dictionary<string, object?> ?? throw Error("a document must be a mapping");
        if (SkipToSignificant()) throw Error("unexpected content after the document");
        return root;
    }

    static bool Significant(string line) => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#');
    static int Indent(string line) => line.Length - line.TrimStart(' ').Length;
    static bool IsItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

    bool SkipToSignificant()
    {
        while (next < lines.Count && !Significant(lines[next])) next++;
        return next < lines.Count;
    }

    FormatException Error(string what) => new($"kustomize output, line {next + 1}: {what}");

    object? Node(int minIndent)
    {
        if (!SkipToSignificant() || Indent(lines[next]) < minIndent) return null;
        int indent = Indent(lines[next]);
        return IsItem(lines[next].Trim()) ? Sequence(indent) : Mapping(indent);
    }

    Dictionary<string, object?> Mapping(int indent)
    {
        var map = new Dictionary<string, object?>();
        while (SkipToSignificant() && Indent(lines[next]) == indent && !IsItem(lines[next].Trim()))
        {
            var text = lines[next].Trim();
            int colon = KeyEnd(text);
            if (colon < 0) throw Error($"expected 'key: value', got '{text}'");
            var key = Unquote(text[..colon]);
            var rest = text[(colon + 1)..].Trim();
            next++;
            if (map.ContainsKey(key)) throw Error($"duplicate key '{key}'");
            map[key] = Value(rest, indent, sequenceMayShareIndent: true);
        }
        if (SkipToSignificant() && Indent(lines[next]) > indent) throw Error("bad indentation");
        return map;
    }

    List<object?> Sequence(int indent)
    {
        var list = new List<object?>();
        while (SkipToSignificant() && Indent(lines[next]) == indent && IsItem(lines[next].Trim()))
        {
            var text = lines[next].Trim();
            var rest = text.Length == 1 ? "" : text[2..].Trim();
            if (rest.Length > 0 && (KeyEnd(rest) >= 0 || IsItem(rest)))
            {
                // `- key: value` (or `- - x`): the item is a collection whose first line starts after the dash.
                lines[next] = new string(' ', indent + 2) + text[2..].TrimStart();
                list.Add(Node(indent + 2));
                continue;
            }
            next++;
            list.Add(Value(rest, indent, sequenceMayShareIndent: false));
        }
        return list;
    }

    /// <summary>The value after `key:` or `- `: a nested block, a block scalar, or an inline (maybe folded) scalar.</summary>
    object? Value(string rest, int indent, bool sequenceMayShareIndent)
    {
        if (rest.Length == 0)
        {
            if (!SkipToSignificant()) return null;
            int childIndent = Indent(lines[next]);
            if (childIndent > indent) return Node(childIndent);
            if (sequenceMayShareIndent && childIndent == indent && IsItem(lines[next].Trim())) return Sequence(indent);
            return null;
        }
        if (rest[0] is '|' or '>') return BlockScalar(rest, indent);
        if (rest[0] == '&' || rest[0] == '*' || rest[0] == '!') throw Error($"anchors, aliases and tags are not read: '{rest}'");
        // Folded continuation lines: more indented than the key, not a new structure.
        var text = new StringBuilder(rest);
        while (next < lines.Count && Significant(lines[next]) && Indent(lines[next]) > indent)
            text.Append(' ').Append(lines[next++].Trim());
        return Scalar(text.ToString());
    }

    string BlockScalar(string header, int indent)
    {
        bool literal = header[0] == '|';
        var chomp = header.Contains('-') ? '-' : header.Contains('+') ? '+' : ' ';
        var body = new List<string>();
        int contentIndent = -1;
        while (next < lines.Count)
        {
            var line = lines[next];
            if (line.Trim().Length == 0) { body.Add(""); next++; continue; }
            if (Indent(line) <= indent) break;
            if (contentIndent < 0) contentIndent = Indent(line);
            body.Add(line.Length >= contentIndent ? line[contentIndent..] : line.Trim());
            next++;
        }
        int trailing = body.Count - body.FindLastIndex(l => l.Length > 0) - 1;
        var kept = body.Take(body.Count - trailing).ToList();
        var joined = literal ? string.Join("\n", kept) : Fold(kept);
        return chomp switch { '-' => joined, '+' => joined + new string('\n', trailing + 1), _ => kept.Count == 0 ? "" : joined + "\n" };
    }

    /// <summary>A `>` block: lines joined by spaces, an empty line a line break.</summary>
    static string Fold(List<string> kept)
    {
        var s = new StringBuilder();
        for (int i = 0; i < kept.Count; i++)
        {
            if (kept[i].Length == 0) { s.Append('\n'); continue; }
            if (i > 0 && kept[i - 1].Length > 0) s.Append(' ');
            s.Append(kept[i]);
        }
        return s.ToString();
    }

    /// <summary>Index of the colon that ends a mapping key on this line, or -1 (quoted keys allowed).</summary>
    static int KeyEnd(string text)
    {
        int i = 0;
        if (text.Length > 0 && text[0] is '"' or '\'')
        {
            i = ClosingQuote(text, 0);
            if (i < 0) return -1;
            i++;
            return i < text.Length && text[i] == ':' && (i + 1 == text.Length || text[i + 1] == ' ') ? i : -1;
        }
        if (text.Length > 0 && text[0] is '{' or '[') return -1;
        for (; i < text.Length; i++)
            if (text[i] == ':' && (i + 1 == text.Length || text[i + 1] == ' ')) return i;
        return -1;
    }

    static int ClosingQuote(string text, int open)
    {
        char q = text[open];
        for (int i = open + 1; i < text.Length; i++)
        {
            if (q == '"' && text[i] == '\\') { i++; continue; }
            if (text[i] != q) continue;
            if (q == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { i++; continue; }
            return i;
        }
        return -1;
    }

    object? Scalar(string text)
    {
        text = text.Trim();
        if (text is "{}") return new Dictionary<string, object?>();
        if (text is "[]") return new List<object?>();
        if (text[0] == '[' && text[^1] == ']') return SplitFlow(text[1..^1]).Select(Scalar).ToList();
        if (text[0] == '{' && text[^1] == '}')
            return SplitFlow(text[1..^1]).Select(p => (Key: KeyEnd(p), Text: p)).ToDictionary(
                p => p.Key >= 0 ? Unquote(p.Text[..p.Key]) : throw Error($"bad flow mapping '{text}'"), p => Scalar(p.Text[(p.Key + 1)..]));
        if (text is "null" or "~") return null;
        if (text[0] is '"' or '\'' && ClosingQuote(text, 0) != text.Length - 1) throw Error($"bad quoted scalar '{text}'");
        return Unquote(text);
    }

    List<string> SplitFlow(string inner)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            char c = inner[i];
            if (c is '"' or '\'') { i = ClosingQuote(inner, i); if (i < 0) throw Error("unclosed quote"); }
            else if (c is '[' or '{') depth++;
            else if (c is ']' or '}') depth--;
            else if (c == ',' && depth == 0) { parts.Add(inner[start..i].Trim()); start = i + 1; }
        }
        if (inner[start..].Trim().Length > 0) parts.Add(inner[start..].Trim());
        return parts;
    }

    static string Unquote(string text)
    {
        text = text.Trim();
        if (text.Length >= 2 && text[0] == '\'' && text[^1] == '\'') return text[1..^1].Replace("''", "'");
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"') return text;
        var s = new StringBuilder();
        for (int i = 1; i < text.Length - 1; i++)
        {
            if (text[i] != '\\') { s.Append(text[i]); continue; }
            char e = text[++i];
            switch (e)
            {
                case 'n': s.Append('\n'); break;
                case 't': s.Append('\t'); break;
                case 'r': s.Append('\r'); break;
                case '0': s.Append('\0'); break;
                case 'u': s.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber)); i += 4; break;
                default: s.Append(e); break; // \" \\ \/ and a few others stand for themselves
            }
        }
        return s.ToString();
    }
}
