using Cerebro.TaskServers;
using Microsoft.Extensions.Hosting;
using TaskServerB;

var builder = Host.CreateApplicationBuilder(args);
builder.AddDemoAgent(TaskServerBTasks.AgentName).AddTaskServerBTasks();
builder.Build().Run();
