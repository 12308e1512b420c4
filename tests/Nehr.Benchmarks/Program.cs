using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Nehr.Benchmarks;

// dotnet run -c Release --project tests/Nehr.Benchmarks            (all BenchmarkDotNet benchmarks)
// dotnet run -c Release --project tests/Nehr.Benchmarks -- contribution   (contribution throughput over loopback HTTP)
// dotnet run -c Release --project tests/Nehr.Benchmarks -- national [--scale 0.1] [--seconds 10] [--circuits 100]
if (args is ["national", ..])
{
    await NationalBenchmark.RunAsync(args);
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- circuits [--circuits 100]   (memory per circuit, demo data only)
if (args is ["circuits", ..])
{
    await CircuitMemory.RunOnDemoDataAsync(args is [_, "--circuits", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 100);
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- export   (one patient's export of up to 25,000 entries in one transaction)
if (args is ["export", ..])
{
    await ExportBenchmark.RunAsync();
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- patient-pages [--seconds 15] [--connections 16] [--patients 20]
// (the patient area without circuits: page loads/s with wrk, memory per signed-in patient; needs Debian's wrk and Chromium)
if (args is ["patient-pages", ..])
{
    await PatientPagesBenchmark.RunAsync(args);
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- alerts [--scale 1] [--seconds 60] [--rate 2000] [--backlog 1000000] [--without-care 1]
// (the alert scanner: a backlog of a national-size trail, and its lag behind a steady stream of audit events)
if (args is ["alerts", ..])
{
    await AlertBenchmark.RunAsync(args);
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- appends [--callers 64] [--seconds 10] [--postgres "Host=…"]
// (audit appends of reads from concurrent requests waiting for durability: one transaction each vs the group commit)
if (args is ["appends", ..])
{
    await GroupCommitBenchmark.RunAsync(args);
    return;
}

if (args is ["contribution", ..])
{
    await ContributionBenchmark.RunAsync();
    return;
}

// dotnet run -c Release --project tests/Nehr.Benchmarks -- --filter *Decision*
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var summaries = BenchmarkSwitcher.FromTypes([typeof(DecisionBenchmarks), typeof(AuditAppendBenchmarks), typeof(HistoryBenchmarks)])
    .Run(args.Length == 0 ? ["--filter", "*"] : args, config);

Console.WriteLine();
Console.WriteLine("NEHR benchmark figures:");
foreach (var report in summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null))
{
    var name = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo;
    var median = report.ResultStatistics!.Median; // nanoseconds per operation
    var parameters = report.BenchmarkCase.Parameters.DisplayInfo;
    var line = report.BenchmarkCase.Descriptor.Type == typeof(DecisionBenchmarks)
        ? $"  decision {name}: p50 {median / 1000:0.000} us (goal <= 10 us)"
        : report.BenchmarkCase.Descriptor.Type == typeof(HistoryBenchmarks)
            ? $"  {name} (100,000 accesses to one record): p50 {median / 1e6:0.00} ms"
        : name.Contains("baseline", StringComparison.Ordinal)
            ? $"  {name} {parameters}: {1e9 / median:N0} transactions/s (no goal; the floor)"
            : $"  audit append, {name} {parameters}: {1e9 / median:N0} events/s (goal >= 5,000/s)";
    Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
