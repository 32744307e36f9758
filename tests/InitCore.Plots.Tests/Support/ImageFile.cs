using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Plots.Tests.Support
{
    /// <summary>Reads back what a plot wrote: the PNG header, and the SVG document and its text.</summary>
    internal static class ImageFile
    {
        private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

        /// <summary>Width and height from the IHDR chunk, after checking the signature and that IHDR comes first.</summary>
        internal static (int Width, int Height) PngSize(string path)
        {
            Assert.IsTrue(File.Exists(path), $"{path} was not written");
            byte[] bytes = File.ReadAllBytes(path);
            Assert.IsGreaterThanOrEqualTo(33, bytes.Length, "too short for a PNG signature and IHDR chunk");
            CollectionAssert.AreEqual(PngSignature, bytes.Take(8).ToArray(), "PNG signature");
            Assert.AreEqual(13u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)), "IHDR length");
            Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            return ((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)));
        }

        /// <summary>The SVG document, after checking that it parses and that its root is &lt;svg&gt;.</summary>
        internal static XDocument Svg(string path)
        {
            Assert.IsTrue(File.Exists(path), $"{path} was not written");
            XDocument doc = XDocument.Load(path);
            Assert.IsNotNull(doc.Root);
            Assert.AreEqual("svg", doc.Root.Name.LocalName);
            Assert.AreEqual("http://www.w3.org/2000/svg", doc.Root.Name.NamespaceName);
            return doc;
        }

        /// <summary>The width and height attributes of the SVG root.</summary>
        internal static (int Width, int Height) SvgSize(XDocument svg) =>
            (int.Parse(svg.Root!.Attribute("width")!.Value), int.Parse(svg.Root.Attribute("height")!.Value));

        /// <summary>Every &lt;text&gt; element's content, whitespace collapsed, one per line.</summary>
        internal static string SvgText(XDocument svg) => string.Join("\n",
            svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => Regex.Replace(e.Value, @"\s+", " ").Trim()));
    }
}
