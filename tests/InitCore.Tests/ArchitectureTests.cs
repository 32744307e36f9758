using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class ArchitectureTests
    {
        public TestContext TestContext { get; set; } = null!;

        private static readonly string[] Layers =
        {
            "InitCore.Diagnostics",
        };

        [TestMethod]
        public void PrintMatrix()
        {
            var g = NamespaceGraph.Read(typeof(Engine).Assembly.Location);
            var sb = new System.Text.StringBuilder();
            sb.AppendLine(g.Matrix(Layers));
            foreach (var c in g.Cycles()) sb.AppendLine("cycle: " + string.Join(", ", c));
            foreach (var ns in g.Namespaces) foreach (var u in g.Uses(ns)) sb.AppendLine($"{ns} -> {u}: {string.Join("; ", g.Evidence(ns, u))}");
            System.IO.File.WriteAllText("/tmp/matrix.txt", sb.ToString());
        }
    }
}
