using System;
using System.IO;
using System.Linq;
using InitCore.Packaging;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class PackagingTests
    {
        private static string Root()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "InitCore.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("The repository root (InitCore.sln) was not found above " + AppContext.BaseDirectory);
        }

        [TestMethod]
        public void UnityPackage_HasTheUpmStructure()
        {
            string output = Path.Combine(Path.GetTempPath(), "initcore-upm-" + Guid.NewGuid().ToString("N"));
            try
            {
                UpmPackage.Build(output, typeof(Engine).Assembly.Location, Root(), "0.1.0");
                CollectionAssert.AreEqual(Array.Empty<string>(), UpmPackage.Validate(output).ToArray());
                Assert.IsTrue(File.Exists(Path.Combine(output, "Runtime", "InitCore.dll")));
                Assert.IsTrue(File.Exists(Path.Combine(output, "Samples~", "Basics", "PolicyInit.cs")));
                Assert.IsTrue(File.Exists(Path.Combine(output, "Documentation~", "cuda.md")));
                StringAssert.Contains(File.ReadAllText(Path.Combine(output, "package.json")), "\"name\": \"com.initcore.engine\"");
            }
            finally
            {
                if (Directory.Exists(output)) Directory.Delete(output, true);
            }
        }

        [TestMethod]
        public void UnityPackage_Validation_ReportsEachProblem()
        {
            string output = Path.Combine(Path.GetTempPath(), "initcore-upm-" + Guid.NewGuid().ToString("N"));
            try
            {
                UpmPackage.Build(output, typeof(Engine).Assembly.Location, Root(), "0.1.0");
                File.Delete(Path.Combine(output, "Runtime", "InitCore.dll"));
                File.WriteAllText(Path.Combine(output, "package.json"), "{\"name\":\"InitCore\",\"version\":\"one\",\"displayName\":\"x\",\"description\":\"y\",\"unity\":\"2021.3\"}");
                var problems = UpmPackage.Validate(output);
                Assert.IsTrue(problems.Any(p => p.Contains("Runtime/InitCore.dll")), string.Join("; ", problems));
                Assert.IsTrue(problems.Any(p => p.Contains("reverse-domain")), string.Join("; ", problems));
                Assert.IsTrue(problems.Any(p => p.Contains("SemVer")), string.Join("; ", problems));
            }
            finally
            {
                if (Directory.Exists(output)) Directory.Delete(output, true);
            }
        }
    }
}
