using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using InitCore.Backends.Cpu;
using InitCore.Threading;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// Only documented exception types leave a public API on bad input: ArgumentException (naming the public
    /// parameter) for shapes whose element count overflows or exceeds the largest array, for out-of-range settings
    /// and for mismatched data; never OverflowException, IndexOutOfRangeException, AggregateException or a silent
    /// no-op. Counts near int.MaxValue never overflow inside a chunked loop.
    /// </summary>
    [TestClass]
    public sealed class HostileInputTests
    {
        private static Engine Cpu(int? threads = null) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1, ThreadCount = threads });

        /// <summary>Shapes whose element count overflows a long, or int, or passes the largest .NET array.</summary>
        private static readonly int[][] HugeShapes =
        {
            new[] { 1 << 20, 1 << 20, 1 << 20, 1 << 20 },          // 2^80: overflows long
            new[] { int.MaxValue, int.MaxValue, int.MaxValue },   // overflows long
            new[] { 65536, 65536 },                                // 2^32
            new[] { int.MaxValue },                                // above Array.MaxLength
            new[] { 0x7FFFFFC8 },                                  // Array.MaxLength + 1
            new[] { 2, 0x40000000 },                               // 2^31
        };

        private static void ThrowsArgument(Action action, string paramName, string what)
        {
            Exception? thrown = null;
            try { action(); }
            catch (Exception ex) { thrown = ex; }
            Assert.IsNotNull(thrown, $"{what}: nothing was thrown");
            Assert.AreEqual(typeof(ArgumentException), thrown!.GetType(), $"{what}: {thrown}");
            Assert.AreEqual(paramName, ((ArgumentException)thrown).ParamName, what);
        }

        [TestMethod]
        public void HugeShapes_ThrowArgumentException_NamingShape_Everywhere()
        {
            using Engine e = Cpu();
            using Tensor t = e.CreateTensor(4);
            foreach (int[] shape in HugeShapes)
            {
                string s = "[" + string.Join(", ", shape) + "]";
                ThrowsArgument(() => e.CreateTensor(shape), "shape", $"CreateTensor{s}");
                ThrowsArgument(() => e.CreateTensor(new float[4], shape), "shape", $"CreateTensor(data){s}");
                ThrowsArgument(() => t.Reshape(shape), "shape", $"Reshape{s}");
                ThrowsArgument(() => new TensorData(new float[4], shape), "shape", $"TensorData{s}");
                if (shape.Length >= 3) ThrowsArgument(() => Init.XavierUniform(e, new float[4], shape), "shape", $"XavierUniform(span){s}");
            }
        }

        [TestMethod]
        public void ShapeAboveTheLargestArray_SaysTheLimit()
        {
            Assert.IsTrue(Tensor.MaxLength == Array.MaxLength, "Tensor.MaxLength is the largest .NET array");
            using Engine e = Cpu();
            var ex = Assert.ThrowsExactly<ArgumentException>(() => e.CreateTensor(Tensor.MaxLength + 1));
            StringAssert.Contains(ex.Message, "2147483592 elements");
            StringAssert.Contains(ex.Message, "at most 2147483591");
            var overflow = Assert.ThrowsExactly<ArgumentException>(() => e.CreateTensor(int.MaxValue, int.MaxValue, int.MaxValue));
            StringAssert.Contains(overflow.Message, "overflows");
            // A zero dimension makes any shape empty, even when the other dimensions' product would overflow.
            using Tensor empty = e.CreateTensor(int.MaxValue, int.MaxValue, int.MaxValue, 0);
            Assert.AreEqual(0L, empty.Length);
        }

        [TestMethod]
        public void CreateTensor_DataOfTheWrongLength_NamesData()
        {
            using Engine e = Cpu();
            var ex = Assert.ThrowsExactly<ArgumentException>(() => e.CreateTensor(new float[5], 2, 3));
            Assert.AreEqual("data", ex.ParamName);
            StringAssert.Contains(ex.Message, "5 elements");
            StringAssert.Contains(ex.Message, "[2, 3] needs 6");
        }

        [TestMethod]
        public void PublicErrors_NameThePublicParameter()
        {
            using Engine e = Cpu();
            using Tensor rank3 = e.CreateTensor(3, 6, 6);
            ThrowsArgument(() => new MaxPool2d(e, 2).Forward(rank3), "input", "MaxPool2d.Forward(rank 3)");
            using Tensor tiny = e.CreateTensor(1, 3, 1, 1);
            ThrowsArgument(() => new MaxPool2d(e, 2).Forward(tiny), "input", "MaxPool2d.Forward(smaller than the window)");
            // A window that does not fit: C#'s truncating division used to give one output row that read past the input.
            using Tensor small = e.CreateTensor(1, 1, 2, 2);
            ThrowsArgument(() => new Conv2d(e, 1, 1, 3, stride: 2).Forward(small), "input", "Conv2d.Forward(k3 s2 on 2×2)");
            ThrowsArgument(() => new Conv2d(e, 1, 1, 2, stride: 3, dilation: 2).Forward(small), "input", "Conv2d.Forward(dilated k2 s3 on 2×2)");
            ThrowsArgument(() => new MaxPool2d(e, 3, 2).Forward(small), "input", "MaxPool2d.Forward(k3 s2 on 2×2)");
            ThrowsArgument(() => new Conv2d(e, 1, 1, 1, padding: int.MaxValue / 2).Forward(small), "input", "Conv2d.Forward(huge padding)");
            using Tensor channels = e.CreateTensor(2, 4, 3, 3);
            ThrowsArgument(() => new BatchNorm2d(e, 3).Forward(channels), "input", "BatchNorm2d.Forward(wrong channels)");

            // Linear's backward used to reach the GEMM with a short gradient, which named its internal argument "a".
            var lin = new Linear(e, 6, 4);
            using Tensor x = e.CreateTensor(3, 6);
            lin.Forward(x);
            using Tensor shortGrad = e.CreateTensor(2, 4);
            ThrowsArgument(() => lin.Backward(shortGrad), "gradOutput", "Linear.Backward(short gradient)");

            var seq = new Sequential(e, new ReLU(e), new Flatten(e));
            foreach (int index in new[] { -1, 2, int.MaxValue, int.MinValue })
            {
                var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => seq[index], $"Sequential[{index}]");
                Assert.AreEqual("index", ex.ParamName);
                StringAssert.Contains(ex.Message, "0..1");
            }
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(-1)]
        [DataRow(EngineOptions.MaxThreadCount + 1)]
        [DataRow(int.MaxValue / 4 + 1)]
        [DataRow(int.MaxValue)]
        [DataRow(int.MinValue)]
        public void ThreadCount_OutsideTheStatedRange_Throws(int threads)
        {
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = threads }));
            Assert.AreEqual("ThreadCount", ex.ParamName);
            StringAssert.Contains(ex.Message, $"1..{EngineOptions.MaxThreadCount}");
        }

        [TestMethod]
        public void ThreadCount_AtTheMaximum_FillsEveryElement_AndOneMoreIsRejected()
        {
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cpu(EngineOptions.MaxThreadCount + 1));
            using Engine e = Cpu(EngineOptions.MaxThreadCount);
            Assert.AreEqual(EngineOptions.MaxThreadCount, e.ThreadCount);
            using Tensor t = e.CreateTensor(1 << 20);
            Init.Constant(t, 0.25);
            Assert.IsTrue(t.ToArray().All(v => v == 0.25f));
            using Engine auto = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            Assert.IsTrue(auto.ThreadCount >= 1 && auto.ThreadCount <= EngineOptions.MaxThreadCount);
        }

        [TestMethod]
        [DataRow(0x7FFFFFC7)]
        [DataRow(int.MaxValue)]
        [DataRow(int.MaxValue - 65534)] // n + 65535 is the first sum past int.MaxValue
        public void ChunkedLoops_NearIntMaxValue_CoverEveryIndexOnce(int n)
        {
            // The elementwise loop every CPU activation, scale and SGD step runs: it used to compute no chunk at all.
            long covered = 0, next = 0;
            int calls = 0;
            CpuPartitioner.For(null, 4, n, ElementwiseLoop.Grain, (start, end) =>
            {
                Assert.IsTrue(start >= 0 && end <= n && start < end, $"range [{start}, {end}) of {n}");
                Interlocked.Add(ref covered, end - start);
                Interlocked.Increment(ref calls);
            });
            Assert.AreEqual((long)n, covered);

            // The same bounds drive the statistics pass and Gain.Measure's sample loop.
            foreach (int size in new[] { 4096, 1 << 16 })
            {
                int chunks = CpuPartitioner.ChunkCount(n, size);
                Assert.AreEqual(((long)n + size - 1) / size, (long)chunks);
                next = 0;
                for (int c = 0; c < chunks; c++)
                {
                    Assert.AreEqual(next, (long)c * size);
                    next = CpuPartitioner.ChunkEnd(c, n, size);
                    Assert.IsTrue(next > (long)c * size && next <= n);
                }
                Assert.AreEqual((long)n, next);
            }

            // Gain.Measure walks its samples with these bounds (2^31 samples are too slow to draw in a unit test):
            // a count that is not a multiple of its chunk draws every sample once (the identity's gain is 1).
            Assert.AreEqual(1.0, Gain.Measure(v => v, (1 << 16) * 3 + 17, seed: 2), 0.01);
            Assert.AreEqual("samples", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Gain.Measure(v => v, int.MinValue)).ParamName);
        }

        /// <summary>
        /// A sweep over the public API: every public static method and public constructor that takes a non-nullable
        /// reference is called with null for every reference argument (defaults for the rest). It must throw an
        /// ArgumentException (usually ArgumentNullException) naming one of its own parameters: never a
        /// NullReferenceException, and never an internal name. Members taking spans cannot be invoked by reflection.
        /// </summary>
        [TestMethod]
        public void EveryPublicStaticMethodAndConstructor_NullArguments_ThrowArgumentExceptionNamingAParameter()
        {
            var nullability = new NullabilityInfoContext();
            var failures = new List<string>();
            int called = 0;
            foreach (Type type in typeof(Engine).Assembly.GetExportedTypes().Where(t => !t.IsGenericTypeDefinition && !typeof(Delegate).IsAssignableFrom(t)))
            {
                IEnumerable<MethodBase> members = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                    .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition).Cast<MethodBase>()
                    .Concat(type.IsAbstract ? Array.Empty<MethodBase>() : type.GetConstructors());
                foreach (MethodBase m in members)
                {
                    ParameterInfo[] ps = m.GetParameters();
                    if (ps.Any(p => p.ParameterType.IsByRef || p.ParameterType.IsPointer || p.ParameterType.IsByRefLike)) continue;
                    if (!ps.Any(p => !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull)) continue;
                    object?[] args = ps.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
                    string name = $"{type.Name}.{(m is ConstructorInfo ? "ctor" : m.Name)}({string.Join(", ", ps.Select(p => p.ParameterType.Name))})";
                    called++;
                    try
                    {
                        object? result = m is ConstructorInfo ci ? ci.Invoke(args) : m.Invoke(null, args);
                        (result as IDisposable)?.Dispose();
                        // Exceptions take null messages by .NET convention; everything else must reject null.
                        if (!typeof(Exception).IsAssignableFrom(type)) failures.Add($"{name}: accepted null for a non-nullable parameter");
                    }
                    catch (TargetInvocationException tie) when (tie.InnerException is ArgumentException ae)
                    {
                        if (!ps.Any(p => p.Name == ae.ParamName)) failures.Add($"{name}: {ae.GetType().Name} names \"{ae.ParamName}\", not one of its parameters");
                    }
                    catch (TargetInvocationException tie)
                    {
                        failures.Add($"{name}: {tie.InnerException!.GetType().Name}: {tie.InnerException.Message}");
                    }
                }
            }
            Assert.IsTrue(called >= 30, $"the sweep called only {called} members");
            Assert.AreEqual(0, failures.Count, string.Join(Environment.NewLine, failures));
        }

        [TestMethod]
        public void CpuConv_BuffersShorterThanTheGeometry_ThrowInsteadOfReadingPastTheEnd()
        {
            // Conv2d checks shapes at the public boundary; the kernels behind it check again before any pointer loop.
            var g = new ConvGeometry(64, 1, 128, 128, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1);
            var tables = new CpuConv.TableCache();
            float[] x = new float[64 * 128 * 128], w = new float[4 * 9], y = new float[64 * 4 * 126 * 126], tinyY = new float[4];
            Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.Forward(g, x, w, null, tinyY, 2, tables));
            Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.Forward(g, new float[10], w, null, y, 2, tables));
            Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.Forward(g, x, w, new float[3], y, 2, tables));
            Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.BackwardData(g, tinyY, w, x, 2, tables));
            Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.BackwardFilter(g, x, tinyY, w, true, 2, tables));
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => CpuConv.BackwardFilter(g, x, y, new float[8], true, 2, tables));
            StringAssert.Contains(ex.Message, "holds 8 floats but the geometry addresses 36");
        }
    }
}
