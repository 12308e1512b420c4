using System.Reflection;
using System.Reflection.Emit;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>
/// Reads every method body of the Core and Portal assemblies (compiler-generated lambdas and state machines
/// included) and lists the types that touch the clinical entry set. Only the gate may read it; the seeders may add
/// to it.
/// </summary>
public sealed class GateIsTheOnlyPathTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static readonly HashSet<Type> Allowed =
    [
        typeof(RecordGate),          // the gate: the only reader
        typeof(NehrDbContext),       // declares the set
        typeof(DemoDataSeeder),      // writes demo entries, never reads them
        typeof(SyntheticDataLoader), // writes synthetic entries, never reads them
        typeof(Nehr.Core.Contribution.ProviderFeed), // files a system's entries; reads only that system's own, by source identifier, to update or withdraw them
        typeof(Nehr.Core.Audit.AlertScanner), // reads only when a provider last contributed for a patient (no clinical content), for the no-care-context rule
        typeof(Nehr.Core.Oversight.RegistrationOversight), // counts the patients a provider contributed for (no clinical content), against those it registered
    ];

    [Fact]
    public void Only_the_gate_reads_clinical_entries()
    {
        var users = TypesUsingClinicalEntries(typeof(NehrDbContext).Assembly, typeof(Program).Assembly);

        Assert.Contains(typeof(RecordGate), users); // the scan does see the gate, so it would see others
        Assert.Empty(users.Except(Allowed).Select(t => t.FullName));
    }

    private static HashSet<Type> TypesUsingClinicalEntries(params Assembly[] assemblies)
    {
        var found = new HashSet<Type>();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var bodies = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
            if (bodies.Any(m => Touches(m)))
            {
                found.Add(Outermost(type));
            }
        }

        return found;
    }

    private static bool Touches(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return false;
        }

        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, i);
                if (Resolve(method, token) is MethodBase target && IsEntryAccess(target))
                {
                    return true;
                }
            }

            i += OperandSize(code, il, i);
        }

        return false;
    }

    private static MethodBase? Resolve(MethodBase method, int token)
    {
        try
        {
            var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
            var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
            return method.Module.ResolveMember(token, typeArgs, methodArgs) as MethodBase;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsEntryAccess(MethodBase target)
    {
        if (target.DeclaringType == typeof(NehrDbContext) && target.Name == "get_" + nameof(NehrDbContext.ClinicalEntries))
        {
            return true;
        }

        // DbContext.Set<T>() or Set<T>(name) for any kind of entry.
        return target is MethodInfo { IsGenericMethod: true, Name: nameof(DbContext.Set) } set
            && typeof(DbContext).IsAssignableFrom(set.DeclaringType)
            && typeof(ClinicalEntry).IsAssignableFrom(set.GetGenericArguments()[0]);
    }

    private static int OperandSize(OpCode code, byte[] il, int at) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + BitConverter.ToInt32(il, at) * 4,
        _ => 4,
    };

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }
}
