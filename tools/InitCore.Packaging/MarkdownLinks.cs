using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace InitCore.Packaging
{
    /// <summary>
    /// The inline links and images of Markdown files (<c>[text](target)</c>, <c>![alt](target)</c>), outside
    /// fenced code blocks: rewritten when a file moves into a package, and checked there.
    /// </summary>
    public static class MarkdownLinks
    {
        private static readonly Regex Link = new(@"(!?\[[^\]\n]*\]\()([^)\s]+)((?:\s+""[^""]*"")?\))", RegexOptions.Compiled);

        /// <summary>True for a target that leaves the file's folder tree: a URL (scheme:) or an anchor in the same file.</summary>
        public static bool IsExternal(string target) =>
            target.StartsWith('#') || Regex.IsMatch(target, "^[A-Za-z][A-Za-z0-9+.-]*:");

        /// <summary>Every link and image target in <paramref name="markdown"/>, outside fenced code blocks.</summary>
        public static IReadOnlyList<string> Targets(string markdown)
        {
            var targets = new List<string>();
            Rewrite(markdown, t => { targets.Add(t); return t; });
            return targets;
        }

        /// <summary>Returns <paramref name="markdown"/> with each link and image target replaced by <paramref name="map"/>'s result.</summary>
        public static string Rewrite(string markdown, Func<string, string> map)
        {
            var result = new StringBuilder(markdown.Length);
            bool inFence = false;
            foreach (string line in markdown.Split('\n'))
            {
                if (result.Length > 0) result.Append('\n');
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
                result.Append(inFence ? line : Link.Replace(line, m => m.Groups[1].Value + map(m.Groups[2].Value) + m.Groups[3].Value));
            }
            return result.ToString();
        }

        /// <summary>Splits a target into its path and its anchor (with the '#', or empty).</summary>
        public static (string Path, string Anchor) Split(string target)
        {
            int hash = target.IndexOf('#', StringComparison.Ordinal);
            return hash < 0 ? (target, "") : (target[..hash], target[hash..]);
        }

        /// <summary>
        /// The path, relative to <paramref name="root"/> with '/' separators, that <paramref name="relativeTarget"/>
        /// names from the file <paramref name="fromFile"/> (itself relative to the root); null when it leaves the root.
        /// </summary>
        public static string? Resolve(string fromFile, string relativeTarget)
        {
            var parts = new List<string>(fromFile.Split('/'));
            parts.RemoveAt(parts.Count - 1);
            foreach (string part in Uri.UnescapeDataString(relativeTarget).Split('/'))
            {
                if (part is "" or ".") continue;
                if (part == "..")
                {
                    if (parts.Count == 0) return null;
                    parts.RemoveAt(parts.Count - 1);
                }
                else parts.Add(part);
            }
            return string.Join('/', parts);
        }

        /// <summary>The relative target from the file <paramref name="fromFile"/> to <paramref name="toPath"/> (both relative to one root, '/' separators).</summary>
        public static string Relative(string fromFile, string toPath)
        {
            string fromDir = fromFile.Contains('/', StringComparison.Ordinal) ? fromFile[..fromFile.LastIndexOf('/')] : "";
            return Path.GetRelativePath(fromDir.Length == 0 ? "." : fromDir, toPath).Replace('\\', '/');
        }
    }
}
