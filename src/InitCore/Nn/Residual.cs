namespace InitCore.Nn
{
    /// <summary>
    /// A residual block: y = f(x) + x, or y = f(x) + projection(x) when the shortcut needs a projection (a 1×1 Conv2d
    /// or a Linear that changes the channel count or the resolution), as in He et al., "Deep Residual Learning for
    /// Image Recognition", 2015 (option B). PyTorch has no built-in equivalent; it is torchvision's BasicBlock without the
    /// final ReLU (put one after the block) and Keras' <c>layers.Add()([f(x), shortcut(x)])</c>.
    /// </summary>
    /// <remarks>
    /// Backward: dx = f'ᵀ·dy + (projection'ᵀ·dy, or dy). Children (for names, parameters and printing): <c>body</c>, and
    /// <c>projection</c> when there is one, so parameters are named <c>body.0.weight</c> and <c>projection.weight</c>.
    /// How LSUV and the init doctor treat the block: docs/diagnostics.md.
    /// </remarks>
    public sealed class Residual : Module
    {
        private readonly Module[] _children;

        /// <summary>Creates the block.</summary>
        /// <param name="engine">The engine.</param>
        /// <param name="body">f: any module whose output has the shortcut's shape (typically a Sequential of Conv2d, BatchNorm2d and activations).</param>
        /// <param name="projection">The shortcut, or null for the identity: typically <c>new Conv2d(e, cin, cout, 1, stride: s, bias: false)</c> or a Linear.</param>
        /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
        /// <exception cref="ArgumentException">A module belongs to another engine, or the projection is the body.</exception>
        public Residual(Engine engine, Module body, Module? projection = null) : base(engine)
        {
            if (body is null) throw new ArgumentNullException(nameof(body), "Give the residual branch f, e.g. a Sequential of Conv2d, BatchNorm2d and ReLU.");
            if (!ReferenceEquals(body.Engine, engine)) throw new ArgumentException($"The body ({body.Describe()}) belongs to another engine; create it with this block's engine.", nameof(body));
            if (projection is not null)
            {
                if (!ReferenceEquals(projection.Engine, engine)) throw new ArgumentException($"The projection ({projection.Describe()}) belongs to another engine; create it with this block's engine.", nameof(projection));
                if (ReferenceEquals(projection, body)) throw new ArgumentException("The projection is the body itself; pass a separate module (a 1x1 Conv2d or a Linear) or null for the identity shortcut.", nameof(projection));
            }
            Body = body;
            Projection = projection;
            _children = projection is null ? new[] { body } : new[] { body, projection };
        }

        /// <summary>The residual branch f.</summary>
        public Module Body { get; }

        /// <summary>The shortcut's projection, or null for the identity.</summary>
        public Module? Projection { get; }

        /// <inheritdoc />
        public override IReadOnlyList<Module> Children => _children;

        /// <summary><c>body</c> (child 0) and <c>projection</c> (child 1).</summary>
        public override string ChildName(int index)
        {
            base.ChildName(index); // range check
            return index == 0 ? "body" : "projection";
        }

        private void CheckShapes(Tensor fx, Tensor shortcut)
        {
            if (!fx.HasShape(shortcut.ShapeArray))
                throw new ArgumentException(
                    $"{Describe()}: the body's output has shape {TensorShape.Format(fx.ShapeArray)} but the shortcut's has {TensorShape.Format(shortcut.ShapeArray)}; " +
                    (Projection is null ? "give a projection (a 1x1 Conv2d with the body's stride, or a Linear) that maps the input to the body's output shape." : "make the projection's output shape match the body's."),
                    "input");
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor fx = Body.Forward(input);
            Tensor shortcut = Projection is null ? input : Projection.Forward(input);
            CheckShapes(fx, shortcut);
            Tensor y = Engine.CreateTensor(fx.ShapeArray);
            Engine.Main.Add(fx.Storage, shortcut.Storage, y.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            Tensor fx = Body.Infer(input);
            Tensor shortcut = Projection is null ? input : Projection.Infer(input);
            CheckShapes(fx, shortcut);
            Tensor y = InferenceBuffer(0, input, fx.ShapeArray);
            Engine.Main.Add(fx.Storage, shortcut.Storage, y.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor dBody = Body.Backward(gradOutput, NeedInputGradient);
            if (Projection is null)
            {
                Tensor dx = Engine.CreateTensor(dBody.ShapeArray);
                Engine.Main.Add(dBody.Storage, gradOutput.Storage, dx.Storage);
                return dx;
            }
            Tensor dShortcut = Projection.Backward(gradOutput, NeedInputGradient);
            Tensor sum = Engine.CreateTensor(dBody.ShapeArray);
            Engine.Main.Add(dBody.Storage, dShortcut.Storage, sum.Storage);
            return sum;
        }

        /// <inheritdoc />
        public override string Describe() => Projection is null ? "Residual(y = body(x) + x)" : "Residual(y = body(x) + projection(x))";
    }
}
