// The System namespaces the engine uses throughout, imported once for every file of this assembly. Only System.*
// belongs here: the engine's own namespaces stay as using lines in each file, so the layering
// (docs/architecture.md) can be read from a file's header.
global using System;
global using System.Buffers;
global using System.Buffers.Binary;
global using System.Collections.Generic;
global using System.Globalization;
global using System.IO;
global using System.Linq;
global using System.Numerics;
global using System.Runtime.CompilerServices;
global using System.Runtime.InteropServices;
global using System.Text;
global using System.Threading;
#if NET8_0_OR_GREATER
global using System.Runtime.Intrinsics;
global using System.Runtime.Intrinsics.X86;
#endif
