#ifndef IPFAILOVER_C_DEPLOYMENT_SCRIPTS_H
#define IPFAILOVER_C_DEPLOYMENT_SCRIPTS_H

/// deploy/kubernetes/scripts/mycheckscript.sh as compiled into the binary, NUL-terminated.
const char *ipf_deployment_check_script(void);

/// deploy/kubernetes/scripts/mynotifyscript.sh as compiled into the binary, NUL-terminated.
const char *ipf_deployment_notify_script(void);

#endif
