using System;
using System.IO;

namespace InitCore.Samples.Tests.Support
{
    /// <summary>The repository the tests run from (the folder holding InitCore.sln above the test's output folder).</summary>
    public static class Repository
    {
        public static string Root { get; } = Find();

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "InitCore.sln"))) return dir.FullName;
            throw new InvalidOperationException($"InitCore.sln was not found in {AppContext.BaseDirectory} or any folder above it.");
        }
    }
}
