// Command etcd is the etcd server at the version Kubernetes itself depends on,
// so it compiles alongside the cluster components and shares their packages.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
