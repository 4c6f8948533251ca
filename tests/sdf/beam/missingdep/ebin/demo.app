%% needs an application that is neither beside it nor in the runtime
{application, demo,
 [{modules, [demo]},
  {env, [{applications, [not_a_dependency]}]},   % in env: not a dependency
  {applications, [kernel, stdlib, 'absent']}]}.
