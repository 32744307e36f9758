using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    /// <summary>A fresh --out folder per test, deleted afterwards.</summary>
    public abstract class TempFolder
    {
        protected string Folder { get; private set; } = "";

        [TestInitialize]
        public void CreateFolder() => Folder = Directory.CreateTempSubdirectory("initcore-samples-").FullName;

        [TestCleanup]
        public void DeleteFolder()
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
    }
}
