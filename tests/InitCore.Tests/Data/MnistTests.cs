using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Data
{
    [TestClass]
    public sealed class MnistTests
    {
        private static readonly Lazy<MnistData> Bundled = new Lazy<MnistData>(() => Mnist.LoadBundled());

        private static string OutputSubset => Path.Combine(AppContext.BaseDirectory, "data", "mnist-subset");

        [TestMethod]
        public void BundledSubset_IsCopiedToTheTestOutputFolder()
        {
            foreach (string file in Mnist.BundledFiles)
                Assert.IsTrue(File.Exists(Path.Combine(OutputSubset, file)), $"{file} is missing from {OutputSubset}: the test project must import data/mnist.props");
            Assert.AreEqual(Path.GetFullPath(OutputSubset), Path.GetFullPath(Bundled.Value.Source), "LoadBundled should prefer the copy next to the program");
        }

        [TestMethod]
        public void LoadBundled_Has8000TrainingAnd2000ValidationDigitsOf1x28x28()
        {
            MnistData data = Bundled.Value;
            CollectionAssert.AreEqual(new[] { 8000, 1, 28, 28 }, data.Train.Shape);
            CollectionAssert.AreEqual(new[] { 2000, 1, 28, 28 }, data.Valid.Shape);
            Assert.AreEqual(8000 * 784, data.Train.Features.Length);
            Assert.AreEqual(2000, data.Valid.Labels.Length);
            Assert.IsNull(data.Normalization);
        }

        [TestMethod]
        public void LoadBundled_ClassCounts_MatchTheSplitInTheReadme()
        {
            int[] train = new int[10], valid = new int[10];
            foreach (int y in Bundled.Value.Train.Labels) train[y]++;
            foreach (int y in Bundled.Value.Valid.Labels) valid[y]++;
            CollectionAssert.AreEqual(new[] { 801, 902, 793, 826, 784, 690, 811, 856, 755, 782 }, train);
            CollectionAssert.AreEqual(new[] { 200, 225, 198, 206, 196, 173, 203, 214, 189, 196 }, valid);
        }

        [TestMethod]
        public void LoadBundled_FirstRecords_AreTheInterleavedClasses()
        {
            int[] expected = { 1, 7, 3, 6, 0, 2, 4, 9, 8, 5, 1, 7 };
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], Bundled.Value.Train.GetLabel(i), $"train {i}");
                Assert.AreEqual(expected[i], Bundled.Value.Valid.GetLabel(i), $"valid {i}");
            }
            double ink = 0;
            foreach (float v in Bundled.Value.Train.GetFeatures(0)) ink += v;
            Assert.AreEqual(67.1960789039731, ink, 1e-4, "sum of the first training digit's pixels/255");
        }

        [TestMethod]
        public void LoadBundled_Pixels_AreBytesOver255InZeroToOne()
        {
            FeatureStatistics s = Bundled.Value.Train.ComputeStatistics();
            Assert.AreEqual(0.0, s.Min);
            Assert.AreEqual(1.0, s.Max);
            foreach (float v in Bundled.Value.Valid.Features)
            {
                float b = MathF.Round(v * 255f);
                Assert.AreEqual(b / 255f, v);
            }
        }

        [TestMethod]
        public void LoadBundled_Statistics_MatchTheLessonsMeanAndStd()
        {
            FeatureStatistics s = Bundled.Value.Train.ComputeStatistics();
            Assert.AreEqual(0.13, s.Mean, 0.005);
            Assert.AreEqual(0.31, s.Std, 0.005);
            Assert.AreEqual(0.130892947, s.Mean, 1e-8);
            Assert.AreEqual(0.308363147, s.Std, 1e-8);
        }

        [TestMethod]
        public void BundledFiles_MatchTheChecksumsInTheReadme()
        {
            // The SHA-256 of the IDX bytes inside each .gz, as data/mnist-subset/README.md lists them.
            (string File, string Sha)[] expected =
            {
                ("train-images-idx3-ubyte.gz", "4987fe772ce9a708b20aa7d3aff93b61e4aed376a77a139646e679a0961597cf"),
                ("train-labels-idx1-ubyte.gz", "2df73b721c9366e2e777870a2b99df564e255e45571da000353dddffc7f22297"),
                ("valid-images-idx3-ubyte.gz", "e6ab1f12d35ee633e955402c87dd01ebed15f99c672054215e5e7e6200a47394"),
                ("valid-labels-idx1-ubyte.gz", "1dc09ebaaeee3019a0fc294d290041c5510b71c5938151e3583cee3a71ad0285"),
            };
            foreach (var (file, sha) in expected)
            {
                using var gz = new GZipStream(File.OpenRead(Path.Combine(OutputSubset, file)), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                Assert.AreEqual(sha, Convert.ToHexString(SHA256.HashData(ms.ToArray())).ToLowerInvariant(), file);
            }
        }

        [TestMethod]
        public void LoadBundled_FolderMissingAFile_ThrowsNamingIt()
        {
            using var dir = new TempFolder();
            var ex = Assert.Throws<FileNotFoundException>(() => Mnist.LoadBundled(dir.Path));
            StringAssert.Contains(ex.Message, "train-images-idx3-ubyte.gz is missing");
            StringAssert.Contains(ex.Message, dir.Path);
        }

        private static void WriteOfficial(string folder, int trainCount, int testCount, bool gz)
        {
            string ext = gz ? ".gz" : "";
            IdxWriter.Write(Path.Combine(folder, "train-images-idx3-ubyte" + ext), Pixels(trainCount), trainCount, 28, 28);
            IdxWriter.Write(Path.Combine(folder, "train-labels-idx1-ubyte" + ext), Labels(trainCount), trainCount);
            IdxWriter.Write(Path.Combine(folder, "t10k-images-idx3-ubyte"), Pixels(testCount), testCount, 28, 28);
            IdxWriter.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte" + ext), Labels(testCount), testCount);
        }

        private static byte[] Pixels(int n)
        {
            var p = new byte[n * 784];
            for (int i = 0; i < p.Length; i++) p[i] = (byte)(i % 256);
            return p;
        }

        private static byte[] Labels(int n)
        {
            var l = new byte[n];
            for (int i = 0; i < n; i++) l[i] = (byte)(i % 10);
            return l;
        }

        [TestMethod]
        public void LoadFolder_OfficialNamesRawAndGz_LoadTrainAndT10k()
        {
            using var dir = new TempFolder();
            WriteOfficial(dir.Path, 30, 12, gz: true);

            MnistData data = Mnist.LoadFolder(dir.Path);

            CollectionAssert.AreEqual(new[] { 30, 1, 28, 28 }, data.Train.Shape);
            CollectionAssert.AreEqual(new[] { 12, 1, 28, 28 }, data.Valid.Shape);
            Assert.AreEqual(7, data.Valid.GetLabel(7));
            Assert.AreEqual(1, data.Valid.GetLabel(11));
            Assert.AreEqual(1f, data.Train.Features[255]);
            Assert.AreEqual(3f / 255f, data.Train.Features[3]);
        }

        [TestMethod]
        public void LoadFolder_MissingFile_ListsTheNamesLookedFor()
        {
            using var dir = new TempFolder();
            WriteOfficial(dir.Path, 3, 2, gz: false);
            File.Delete(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte"));

            var ex = Assert.Throws<FileNotFoundException>(() => Mnist.LoadFolder(dir.Path));
            StringAssert.Contains(ex.Message, "t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz");
            StringAssert.Contains(ex.Message, dir.Path);
        }

        [TestMethod]
        public void LoadFolder_MissingFolder_ThrowsDirectoryNotFound()
        {
            string missing = Path.Combine(Path.GetTempPath(), "initcore-no-such-folder-" + Guid.NewGuid().ToString("N"));
            var ex = Assert.Throws<DirectoryNotFoundException>(() => Mnist.LoadFolder(missing));
            StringAssert.Contains(ex.Message, "train-images-idx3-ubyte");
        }

        [TestMethod]
        public void LoadPair_ImageAndLabelCountsDiffer_ThrowsNamingBothCounts()
        {
            using var dir = new TempFolder();
            IdxWriter.Write(dir.File("i"), Pixels(5), 5, 28, 28);
            IdxWriter.Write(dir.File("l"), Labels(4), 4);
            var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadPair(dir.File("i"), dir.File("l"), "train"));
            StringAssert.Contains(ex.Message, "holds 5 images but");
            StringAssert.Contains(ex.Message, "holds 4 labels");
        }

        [TestMethod]
        public void LoadPair_LabelAbove9_ThrowsNamingItsIndex()
        {
            using var dir = new TempFolder();
            IdxWriter.Write(dir.File("i"), Pixels(3), 3, 28, 28);
            IdxWriter.Write(dir.File("l"), new byte[] { 1, 12, 3 }, 3);
            var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadPair(dir.File("i"), dir.File("l"), "train"));
            StringAssert.Contains(ex.Message, "label 1 is 12; MNIST labels are 0–9");
        }

        [TestMethod]
        public void LoadPair_LabelsFileGivenAsImages_ThrowsNamingTheExpectedMagic()
        {
            using var dir = new TempFolder();
            IdxWriter.Write(dir.File("l"), Labels(3), 3);
            var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadPair(dir.File("l"), dir.File("l"), "train"));
            StringAssert.Contains(ex.Message, "expected unsigned bytes of rank 3 [N, rows, cols] (magic 0x00000803)");
        }
    }
}
