using Nehr.Core.Records;

namespace Nehr.Core.Data.Demo;

/// <summary>Name parts for synthetic people, given names by sex. Combined at random; any likeness to a real person is chance.</summary>
internal static class SyntheticNames
{
    private static readonly string[] ChineseFamily = ["Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo", "Ang", "Yeo", "Tay", "Ho", "Low", "Sim", "Chong"];
    private static readonly string[] ChineseMale = ["Wei Ming", "Zhi Hao", "Jun Jie", "Kai Wen", "Yong Sheng", "Wen Jun", "Jian Hong", "Wei Jie"];
    private static readonly string[] ChineseFemale = ["Mei Ling", "Jia Hui", "Xin Yi", "Hui Min", "Li Ting", "Shu Fen", "Pei Shan", "Hui Ling"];
    private static readonly string[] MalayMale = ["Muhammad Faizal", "Ahmad Hafiz", "Nur Iskandar", "Mohamed Rizal", "Syed Azhar", "Hairul Nizam", "Firdaus", "Zulkifli"];
    private static readonly string[] MalayFemale = ["Nur Aisyah", "Siti Nurhaliza", "Farah Diyana", "Nurul Huda", "Aishah", "Liyana", "Zarina", "Hafizah"];
    private static readonly string[] MalayFathers = ["Rahman", "Ismail", "Osman", "Hassan", "Yusof", "Salleh", "Ibrahim", "Kassim"];
    private static readonly string[] IndianMale = ["Arun", "Rajesh", "Suresh", "Vikram", "Karthik", "Ganesh", "Prakash", "Ravi"];
    private static readonly string[] IndianFemale = ["Priya", "Kavitha", "Lakshmi", "Anitha", "Deepa", "Meena", "Shalini", "Revathi"];
    private static readonly string[] IndianFathers = ["Raman", "Krishnan", "Subramaniam", "Pillai", "Nair", "Rajan", "Murugan", "Kumar"];
    private static readonly string[] OtherMale = ["Daniel", "Michael", "Jonathan", "Marcus", "Adrian", "Nathan"];
    private static readonly string[] OtherFemale = ["Sarah", "Rachel", "Hannah", "Grace", "Natalie", "Joanne"];
    private static readonly string[] OtherFamily = ["Fernandez", "De Souza", "Pereira", "Hendricks", "Santos", "Oliveira", "Morgan", "Carvalho"];

    public static string Person(Random random, Race race, Sex sex) => race switch
    {
        Race.Chinese => $"{Pick(random, ChineseFamily)} {Pick(random, sex == Sex.Male ? ChineseMale : ChineseFemale)}",
        Race.Malay => sex == Sex.Male
            ? $"{Pick(random, MalayMale)} bin {Pick(random, MalayFathers)}"
            : $"{Pick(random, MalayFemale)} binte {Pick(random, MalayFathers)}",
        Race.Indian => sex == Sex.Male
            ? $"{Pick(random, IndianMale)} s/o {Pick(random, IndianFathers)}"
            : $"{Pick(random, IndianFemale)} d/o {Pick(random, IndianFathers)}",
        _ => $"{Pick(random, sex == Sex.Male ? OtherMale : OtherFemale)} {Pick(random, OtherFamily)}",
    };

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
